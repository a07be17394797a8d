"""Running the assistant in production: ``cashback doctor``, backups."""

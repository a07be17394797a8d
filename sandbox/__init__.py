"""Local stand-ins used by the sandbox mode and by the tests (see ARCHITECTURE "Layout")."""

"""What an operator watches: structured logs, Prometheus metrics, /healthz, ``cashback doctor``."""

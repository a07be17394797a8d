# The assistant's image: one image, one process per container (see compose.yaml).
# The install is scripts/install, the same script ./dev runs, so CI proves it on every run.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /app
COPY pyproject.toml README.md babel.cfg ./
COPY scripts/ scripts/
COPY core/ core/
COPY storage/ storage/
COPY bot/ bot/
COPY sandbox/ sandbox/
COPY campaigns/ campaigns/
COPY locales/ locales/
# A virtual environment with the runtime dependencies, and the compiled catalogs.
RUN scripts/install --production

FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 \
    PATH=/app/.venv/bin:$PATH \
    CASHBACK_DATA_DIR=/data \
    CASHBACK_LOG_FORMAT=json \
    CASHBACK_METRICS_LISTEN=0.0.0.0 \
    CASHBACK_METRICS_PORT=9100
RUN groupadd --system --gid 10001 cashback \
    && useradd --system --uid 10001 --gid cashback --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin cashback \
    && mkdir /data \
    && chown cashback:cashback /data
WORKDIR /app
# Same path as in the build stage: the virtual environment and the editable install refer to it.
COPY --from=build /app /app
USER 10001:10001
VOLUME ["/data"]
# 9100: /metrics and /healthz; 8443: the Telegram webhook (bot container, webhook mode).
EXPOSE 9100 8443
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "bot.observability.probe"]
ENTRYPOINT ["cashback"]
CMD ["run"]

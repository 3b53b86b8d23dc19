# Solidarity Bot: one small container; the database lives on the /data volume.
#   docker build -t solidarity-bot .
#   docker run -d --name solidarity-bot --env-file .env -v solidarity-data:/data solidarity-bot
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
# tzdata: IANA time zones even where the base image has none.
RUN python -m venv /opt/venv && /opt/venv/bin/pip install . tzdata

FROM python:3.11-slim
RUN groupadd --system --gid 10001 solidarity \
    && useradd --system --uid 10001 --gid solidarity --home-dir /data \
       --shell /usr/sbin/nologin solidarity \
    && mkdir -p /data && chown solidarity:solidarity /data && chmod 0750 /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BOT_DB_PATH=/data/solidarity-bot.sqlite3
USER solidarity
WORKDIR /data
VOLUME ["/data"]
# Asks /health when BOT_HEALTH_PORT is set, else checks the database and its lock.
HEALTHCHECK --interval=1m --timeout=10s --start-period=30s --retries=3 \
    CMD ["solidarity-bot", "check", "--live"]
# SIGTERM (docker stop) shuts down cleanly: pending sends are kept in the outbox.
STOPSIGNAL SIGTERM
ENTRYPOINT ["solidarity-bot"]
CMD ["run", "--json-logs"]

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/telethread.sqlite3

RUN useradd --create-home --uid 10001 telethread \
    && mkdir /data && chown telethread /data
WORKDIR /app

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
RUN pip install .

USER telethread
VOLUME ["/data"]
# Unhealthy when the bot stops polling or its database stops taking writes (its heartbeat,
# written every 20 s, goes stale after a minute).
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=2 \
    CMD ["python", "-m", "bot", "health"]
# SIGTERM (docker stop) lets python-telegram-bot shut down cleanly.
STOPSIGNAL SIGTERM
CMD ["python", "-m", "bot"]

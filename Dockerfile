FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATABASE_PATH=/data/telethread.sqlite3

RUN useradd --create-home --uid 10001 telethread \
    && mkdir /data && chown telethread /data
WORKDIR /app

# The dependencies first, in a layer of their own: a change to the code does not reinstall them.
COPY pyproject.toml ./
RUN python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' \
        > requirements.txt \
    && pip install -r requirements.txt \
    && rm requirements.txt
COPY README.md ./
COPY bot ./bot
COPY storage ./storage
RUN pip install --no-deps .

USER telethread
VOLUME ["/data"]
# The bot runs in its volume: a relative path in .env (DATABASE_PATH=data/telethread.sqlite3, as
# .env.example has it, or PERSONAS_FILE) lands there and survives the container. A path outside
# the volume is refused at start with one line naming DATABASE_PATH.
WORKDIR /data
# Unhealthy when the bot stops polling or its database stops taking writes (its heartbeat,
# written every 20 s, goes stale after a minute); "starting" until it first polls.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=2 \
    CMD ["python", "-m", "bot", "health"]
# SIGTERM (docker stop) lets answers being written finish (SHUTDOWN_GRACE); a second one stops
# at once, leaving them for the next start.
STOPSIGNAL SIGTERM
# Webhooks (WEBHOOK_URL), when set: WEBHOOK_LISTEN defaults to 0.0.0.0:8080.
EXPOSE 8080
CMD ["python", "-m", "bot"]

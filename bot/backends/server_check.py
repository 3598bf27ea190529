"""Is the model server usable? One cheap authenticated call, at start-up and for /status.

A wrong key, a misspelt model or a server that is not running would otherwise show only when
the first user writes, as a vague apology. Listing the models (`GET /models`) needs the key,
costs nothing and is served by OpenAI and by the local servers alike (Ollama, vLLM, llama.cpp).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import openai

from bot.backends.openai_calls import describe

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 10.0
LISTED = 5  # model names quoted when ours is missing


@dataclass(frozen=True, slots=True)
class ServerCheck:
    """What the check found, as the owner reads it."""

    usable: bool
    summary: str  # one line, no secrets
    doubtful: bool = False  # usable, but the owner should look

    def log(self) -> None:
        level = logging.ERROR if not self.usable else logging.WARNING if self.doubtful else 0
        logger.log(level or logging.INFO, "Model server: %s", self.summary)


async def check_model_server(
    client: openai.AsyncOpenAI, model: str, *, one_model_servers: bool
) -> ServerCheck:
    """List the server's models and look for `model`.

    `one_model_servers`: the chat backend, whose local servers may serve a single model under
    any name (llama.cpp does), so a model missing from the list is a warning, not an error.
    """
    where = client.base_url.host or str(client.base_url)
    try:
        page = await client.with_options(max_retries=0, timeout=CHECK_TIMEOUT_SECONDS).models.list()
    except openai.AuthenticationError as exc:
        return ServerCheck(False, f"{where} rejected OPENAI_API_KEY ({describe(exc)})")
    except openai.PermissionDeniedError as exc:
        return ServerCheck(False, f"{where} refused OPENAI_API_KEY access ({describe(exc)})")
    except openai.APIConnectionError as exc:
        return ServerCheck(
            False, f"{where} is unreachable ({describe(exc)}); check OPENAI_BASE_URL"
        )
    except openai.NotFoundError:
        return ServerCheck(True, f"{where} is reachable (it does not list its models)")
    except openai.APIError as exc:
        return ServerCheck(False, f"{where} answered with an error ({describe(exc)})")
    names = [entry.id for entry in page.data]
    if model in names:
        return ServerCheck(True, f"{where} is reachable and offers {model}")
    listed = ", ".join(names[:LISTED]) + (", …" if len(names) > LISTED else "")
    if one_model_servers:
        return ServerCheck(
            True,
            f"{where} is reachable but does not list OPENAI_MODEL={model} (it lists: "
            f"{listed or 'nothing'}); a server with one model answers to any name, others refuse",
            doubtful=True,
        )
    return ServerCheck(
        False,
        f"{where} does not offer OPENAI_MODEL={model}: check the name, or the key's access to it",
    )

"""One run's life on the threads/runs backend: read its stream, poll it to its end, cancel it
(and wait, since a thread takes no write while a run is active), and turn it into a result.

Apart from `assistants.py`, which writes the messages and starts the runs, because these are the
parts that start, resume and the stale-run clean-up share.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import openai
from openai.types.beta.threads import Run

from bot.backends.backend_errors import (
    BackendUnavailable,
)
from bot.backends.base import (
    TOOL_CALL_REFUSED,
    Artifact,
    ModelSettings,
    TextDelta,
    ToolStarted,
    TurnEvent,
    TurnInput,
    TurnResult,
    TurnStarted,
    TurnStatus,
)
from bot.backends.openai_calls import (
    TERMINAL_STATUS,
    describe,
    poll,
    translated,
    until_deadline,
    write_once,
)
from bot.backends.threads_api.run_files import RunFiles
from bot.backends.turn_tools import FunctionCall
from storage import TokenUsage

logger = logging.getLogger(__name__)

ACTIVE = frozenset({"queued", "in_progress", "requires_action", "cancelling"})
RUNNING = frozenset({"queued", "in_progress", "cancelling"})  # requires_action needs us
NO_FILES: tuple[Artifact, ...] = ()
RUN_STATUS = {**TERMINAL_STATUS, "expired": TurnStatus.FAILED}


class Runs:
    def __init__(
        self, client: openai.AsyncOpenAI, settings: ModelSettings, files: RunFiles
    ) -> None:
        self._client = client
        self._settings = settings
        self._files = files
        self._writer = client.with_options(max_retries=0).beta.threads  # see write_once

    async def streamed(
        self, events: Any, thread_id: str, deadline: float, hosted: bool, calls: bool = False
    ) -> AsyncIterator[TurnEvent]:
        """Text as the run writes it; the run's end is then settled like a polled one."""
        run: Run | None = None
        try:
            async for event in until_deadline(events, deadline):
                if event.event.startswith("thread.run.") and isinstance(event.data, Run):
                    if run is None:
                        logger.info("Run %s started on %s", event.data.id, thread_id)
                        yield TurnStarted(event.data.id)
                    run = event.data
                    if run.status not in RUNNING:
                        break
                elif event.event == "thread.run.step.created" and (
                    event.data.step_details.type == "tool_calls"
                ):
                    kinds = {call.type for call in event.data.step_details.tool_calls}
                    yield ToolStarted(
                        "file_search" if "file_search" in kinds else "code_interpreter"
                    )
                elif event.event == "thread.message.delta":
                    for part in event.data.delta.content or []:
                        if part.type == "text" and part.text and part.text.value:
                            yield TextDelta(part.text.value)
        except TimeoutError:
            pass  # settled below: the deadline cancels the run
        except openai.APIConnectionError as exc:
            logger.warning(
                "Run stream on %s dropped (%s); polling instead", thread_id, describe(exc)
            )
        finally:
            await events.close()
        if run is None:
            raise BackendUnavailable("the run stream ended before the run started")
        yield await self.settled(run, deadline, hosted, calls)

    async def settled(
        self, run: Run, deadline: float, hosted: bool, calls: bool = False
    ) -> TurnResult:
        """Poll the run to its end (cancelling it past the deadline) and read its result;
        with `calls` (the owner's functions were offered), a run waiting for their outputs
        ends the round with the calls it wants."""
        run, stopped = await self._wait(run, deadline, calls)
        return await self._result(run, stopped, hosted)

    async def with_outputs(self, thread_id: str, turn: TurnInput) -> AsyncIterator[TurnEvent]:
        """The run goes on with the outputs of the calls it waited for, to its next stop."""
        deadline = self._settings.deadline()
        run_id = turn.function_outputs[0][0].source
        outputs = [{"tool_call_id": c.call_id, "output": out} for c, out in turn.function_outputs]
        run: Run = await write_once(
            lambda: self._writer.runs.submit_tool_outputs(
                run_id,
                thread_id=thread_id,
                tool_outputs=outputs,  # type: ignore[arg-type]
            ),
            what=f"Giving run {run_id} its tools' outputs",
            deadline=deadline,
        )
        yield TurnStarted(run.id)
        yield await self.settled(run, deadline, uses_hosted_tools(turn), calls=True)

    async def clear(self, thread_id: str, deadline: float) -> None:
        """Cancel whatever run keeps the thread busy, and wait for it to end."""
        with translated():
            runs = await self._client.beta.threads.runs.list(thread_id, limit=10)
        for run in runs.data:
            if run.status in ACTIVE:
                logger.warning("Thread %s has a stale run %s (%s)", thread_id, run.id, run.status)
                await self._cancel(run, deadline)

    async def _wait(self, run: Run, deadline: float, calls: bool) -> tuple[Run, str | None]:
        """Poll the run to its end; returns it with our reason for stopping it, if we did."""
        run = await self._poll(run, deadline)
        if run.status == "requires_action" and calls and _function_calls(run):
            return run, "wants_outputs"
        if run.status == "requires_action":
            # Given no functions, a tool call means a misconfigured assistant.
            logger.warning("Run %s asked for tool outputs; cancelling it", run.id)
            return await self._cancel(run, time.monotonic() + 10), "requires_action"
        if run.status in ACTIVE:
            logger.warning("Run %s passed the deadline; cancelling it", run.id)
            return await self._cancel(run, time.monotonic() + 10), "timed_out"
        return run, None

    async def _poll(self, run: Run, deadline: float) -> Run:
        thread_id = run.thread_id
        return await poll(
            lambda: self._client.beta.threads.runs.retrieve(run.id, thread_id=thread_id),
            run,
            pending=lambda r: r.status in RUNNING,
            deadline=deadline,
            interval=self._settings.poll_interval,
        )

    async def _cancel(self, run: Run, deadline: float) -> Run:
        """Cancel and wait until the run has really stopped (it passes through `cancelling`)."""
        try:
            run = await self._client.beta.threads.runs.cancel(run.id, thread_id=run.thread_id)
        except openai.BadRequestError:
            pass  # it ended on its own meanwhile
        except openai.APIError:
            logger.warning("Cancelling run %s failed", run.id, exc_info=True)
        return await self._poll(run, deadline)

    async def _result(self, run: Run, stopped: str | None, hosted: bool) -> TurnResult:
        usage = (
            TokenUsage(run.usage.prompt_tokens, run.usage.completion_tokens) if run.usage else None
        )
        if stopped == "timed_out":
            return TurnResult(status=TurnStatus.TIMED_OUT, response_id=run.id, usage=usage)
        if stopped == "wants_outputs":
            return TurnResult(
                status=TurnStatus.COMPLETED, response_id=run.id, function_calls=_function_calls(run)
            )
        if stopped == "requires_action":
            return TurnResult(
                status=TurnStatus.FAILED, response_id=run.id, error_code=TOOL_CALL_REFUSED
            )
        status = RUN_STATUS.get(run.status, TurnStatus.FAILED)
        text, files, cited = "", NO_FILES, tuple[str, ...]()
        if status in (TurnStatus.COMPLETED, TurnStatus.INCOMPLETE):
            text, files, cited = await self._files.output(run)
        tools = await self._files.tool_counts(run) if hosted else None
        error_code = run.last_error.code if run.last_error else None
        return TurnResult(
            status=status,
            text=text,
            artifacts=files,
            citations=await self._files.names(cited),
            tools_used=tools,
            response_id=run.id,
            usage=usage,
            error_code="expired" if run.status == "expired" else error_code,
            incomplete_reason=run.incomplete_details.reason if run.incomplete_details else None,
            model=run.model,
        )


def uses_hosted_tools(turn: TurnInput) -> bool:
    """Whether a run may use the hosted tools (its steps then say which ran)."""
    return "code_interpreter" in turn.tools or "file_search" in turn.tools


def _function_calls(run: Run) -> tuple[FunctionCall, ...]:
    """The calls a run waits on (`required_action.submit_tool_outputs`)."""
    action = run.required_action
    if action is None or action.type != "submit_tool_outputs":
        return ()
    return tuple(
        FunctionCall(call.id, call.function.name, call.function.arguments, source=run.id)
        for call in action.submit_tool_outputs.tool_calls
        if call.type == "function"
    )

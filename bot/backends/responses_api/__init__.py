"""OpenAI's Conversations + Responses API, the default backend: `responses` (the turn: streamed
or polled, resumed by id), `response_input` (a turn's message with its files), `response_data`
(what a response names: citations, files, images), `server_events` (the SSE stream, read as
plain JSON), `containers` (the code interpreter's sandbox per conversation) and `drawings`
(the image tool's pictures, held until sent)."""

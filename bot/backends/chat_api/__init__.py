"""Chat Completions, for any OpenAI-compatible server (Ollama, vLLM, llama.cpp): `chat_completions`
(the backend, with the history kept here), `history_budget` (the newest turns that fit the
context) and `chat_vision` (images, and the servers that cannot see them)."""

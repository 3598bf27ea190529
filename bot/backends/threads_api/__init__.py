"""The legacy threads/runs shape (the Assistants API), for servers that still speak it:
`assistants` (the backend) and `run_files` (the code interpreter's files of a run)."""

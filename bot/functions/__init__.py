"""The owner's own tools: MCP servers, the tools each persona may use, and calling them.

`mcp_settings.py` reads the `[mcp.NAME]` tables of the personas file and `tools.py` holds the
records and rules every layer speaks (both pure); `mcp_servers.py` is the MCP client (the `mcp`
SDK), the only module here that talks to a server.
"""

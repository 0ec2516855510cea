"""exconn-collect: agentless collector for legacy Exchange hosts (SPEC section 9)."""
VERSION = "0.1.0"

"""Platform services shared by every business plugin. core never imports a plugin."""

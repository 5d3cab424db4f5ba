"""The top floor: pages and commands that join several apps (dashboard, playground, demo, `runlocal`, and the
admin panels that show conversations, sessions and orders together). Nothing below imports it."""

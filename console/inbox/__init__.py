"""The conversation page as an inbox, shaped like Chatwoot's screen: the thread (messages and system lines), its
delivery ticks, and the side panel's facts. Read-only: the page's buttons call the handoff services in
`conversations.handoff` through `console.admin`."""

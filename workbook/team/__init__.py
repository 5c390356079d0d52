"""The team member and their manager: who reports to whom, what one shares with the other, and the
career conversations (1:1s) they hold together."""

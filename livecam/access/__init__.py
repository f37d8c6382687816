"""Who may see and do what: principals, roles, per-camera access, share links, tokens."""

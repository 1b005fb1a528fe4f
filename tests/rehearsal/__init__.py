"""The full-mode rehearsal: stand-ins, in the real formats, of every file the course downloads."""

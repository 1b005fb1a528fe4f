"""Full-mode rehearsal: generated stand-ins, in the real formats, of every file the course downloads."""

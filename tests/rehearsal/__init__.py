"""The full-mode rehearsal: stand-ins in the real formats, served from 127.0.0.1, and TFDS mocked."""

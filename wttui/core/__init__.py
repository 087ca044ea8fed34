"""Pure domain: models, naming, matching and the log sink. No I/O library, no Textual."""

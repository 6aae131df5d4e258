"""Sub-commands of `cleaner` other than clean and explain, one module each."""

"""cleaner: clean, consistent, deduplicated text from scraped (and machine-translated) news."""

from cleaner.batch import BatchOptions, Summary, run_batch
from cleaner.document import Change, Document, Edit, Flag
from cleaner.errors import CleanerError, ConfigError, InputError, RuleError
from cleaner.pipeline import Pipeline, PipelineSettings, clean_document, clean_documents, clean_text

__version__ = "0.1.0"

__all__ = [
    "BatchOptions",
    "Change",
    "CleanerError",
    "ConfigError",
    "Document",
    "Edit",
    "Flag",
    "InputError",
    "Pipeline",
    "PipelineSettings",
    "RuleError",
    "Summary",
    "__version__",
    "clean_document",
    "clean_documents",
    "clean_text",
    "run_batch",
]

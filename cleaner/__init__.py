"""cleaner: clean, consistent, deduplicated text from scraped (and machine-translated) news."""

from cleaner.document import Change, Document, Edit, Flag
from cleaner.errors import CleanerError, ConfigError, InputError, RuleError
from cleaner.pipeline import Pipeline, PipelineSettings, clean_document, clean_documents, clean_text

__version__ = "0.1.0"

__all__ = [
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
    "__version__",
    "clean_document",
    "clean_documents",
    "clean_text",
]

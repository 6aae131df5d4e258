"""Near-duplicate detection with MinHash LSH: fast batch signatures, sorted-array banding,
verified clusters, a keep policy and a persistent index."""

from cleaner.dedup.config import DedupConfig
from cleaner.dedup.corpus import DedupResult, DuplicateGroup, deduplicate, flag_documents

__all__ = ["DedupConfig", "DedupResult", "DuplicateGroup", "deduplicate", "flag_documents"]

"""The ordered registry of stages. The pipeline runs the selected ones in this order.

Every stage is a class with the same shape:

    class SomeStage:
        name = "some"                 # registry key, also the `stage` of its changes
        Config = SomeConfig           # frozen, validated `StageConfig` subclass

        def __init__(self, config: SomeConfig, rules_dir: Path) -> None: ...
        def __call__(self, doc: Document) -> Document: ...

Building a stage may be costly (rules are compiled then); calling it must not be.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Protocol

from cleaner.config import StageConfig
from cleaner.document import Document
from cleaner.stages.boilerplate import BoilerplateStage
from cleaner.stages.dedup import DedupStage
from cleaner.stages.langid import LangidStage
from cleaner.stages.mt import MtStage
from cleaner.stages.spelling import SpellingStage
from cleaner.stages.unicode import UnicodeStage


class Stage(Protocol):
    name: ClassVar[str]
    Config: ClassVar[type[StageConfig]]

    def __init__(self, config: StageConfig, rules_dir: Path) -> None: ...

    def __call__(self, doc: Document) -> Document: ...


REGISTRY: dict[str, type[Stage]] = {
    stage.name: stage
    for stage in (
        UnicodeStage,
        LangidStage,
        BoilerplateStage,
        MtStage,
        SpellingStage,
        DedupStage,
    )
}

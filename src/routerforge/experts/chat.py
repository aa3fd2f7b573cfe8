"""The `chat` expert: no tool is needed, the request goes to a general chat model.

Spec: empty (`chat:`). A non-empty spec is tolerated and ignored, because routers sometimes echo
part of the request after `chat:` and that must not turn a correct route into an error. The result
is the marker `PASSTHROUGH` ("<passthrough>"), which a serving layer replaces with a chat reply.
"""

from __future__ import annotations

from typing import ClassVar

from routerforge.experts.base import Expert

PASSTHROUGH = "<passthrough>"


class ChatExpert(Expert):
    name = "chat"
    description = "no tool needed (greetings, opinions, writing, open questions): leave the spec empty"
    expert_class: ClassVar[str] = "chat"
    empty_spec: ClassVar[bool] = True
    truth: ClassVar[str] = "none"
    templates: ClassVar[tuple[str, ...]] = ("routerforge.data.templates.chat",)
    examples = [("Hi! How are you today?", ""), ("Write a haiku about autumn.", ""),
                ("What do you think about remote work?", "")]

    def parse(self, spec: str) -> str:
        return ""  # ignored on purpose, see the module docstring

    def execute(self, parsed: str) -> str:
        return PASSTHROUGH

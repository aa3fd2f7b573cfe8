"""The chat expert: a passthrough marker, spec ignored."""

from routerforge.experts import get_expert, run_decision
from routerforge.experts.chat import PASSTHROUGH


def test_chat_passthrough():
    expert = get_expert("chat")
    assert expert.label == "chat"
    assert expert.run("").value == PASSTHROUGH == "<passthrough>"
    assert expert.run("tell me a joke").value == PASSTHROUGH  # tolerated and ignored
    for _query, spec in expert.examples:
        assert spec == "" and expert.run(spec).ok
    decision, result = run_decision("chat:")
    assert decision.expert == "chat" and result.ok and result.value == PASSTHROUGH

"""Test kit: a loopback OpenAI-compatible server with scripted answers, latency and faults."""

from scsafety.testkit.server import Fault, OpenAIServer, RecordedRequest, echo_responder, judge_aware, scripted_replies

__all__ = ["Fault", "OpenAIServer", "RecordedRequest", "echo_responder", "judge_aware", "scripted_replies"]

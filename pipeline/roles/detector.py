"""Detector: reads a change and what a job wants posted, before publication, for threats (no
tools). Its own prompt, its own model (`models.detector`) and budget (`budget.detection_usd`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from pipeline.agent.tools import finishing_tool
from pipeline.roles.base import RoleContext, run_agent

PATCH_CHARS = 100_000


class Threat(BaseModel):
    where: str = Field(min_length=1, max_length=200,
                       description="The file (and line), or the output, that carries it.")
    detail: str = Field(min_length=3, max_length=400, description="What it is and why it is a "
                        "threat; never repeat a secret.")


class DetectorVerdict(BaseModel):
    verdict: Literal["clean", "threat"]
    threats: list[Threat] = Field(default_factory=list, max_length=20)


@dataclass(frozen=True)
class DetectInput:
    patch: str
    outputs: str
    """What the job would post (comments, reviews, the PR's title and body), as text."""


def detect(ctx: RoleContext, given: DetectInput) -> DetectorVerdict:
    finish = finishing_tool("submit_verdict", "Submit the verdict: clean, or the threats found.",
                            DetectorVerdict)
    cut = len(given.patch) > PATCH_CHARS
    result: DetectorVerdict = run_agent(
        ctx, role="detector", tools=[], finish=finish,
        variables={"patch": given.patch[:PATCH_CHARS], "cut": cut, "outputs": given.outputs})
    return result

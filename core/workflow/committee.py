"""Review committee arithmetic: quorum, recusals, pass threshold and the chair's veto (pure functions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

VOTE_APPROVE = "approve"
VOTE_REJECT = "reject"
VOTE_APPROVE_WITH_CONDITIONS = "approve_with_conditions"
VOTE_RECUSE = "recuse"
VOTES = (VOTE_APPROVE, VOTE_REJECT, VOTE_APPROVE_WITH_CONDITIONS, VOTE_RECUSE)

RESULT_APPROVED = "approved"
RESULT_APPROVED_WITH_CONDITIONS = "approved_with_conditions"
RESULT_REJECTED = "rejected"
RESULT_NO_QUORUM = "no_quorum"


@dataclass(frozen=True)
class Tally:
    result: str
    eligible: int
    approvals: int
    rejections: int
    recusals: int
    vetoed: bool = False

    def as_dict(self) -> dict:
        return {"result": self.result, "eligible": self.eligible, "approvals": self.approvals,
                "rejections": self.rejections, "recusals": self.recusals, "vetoed": self.vetoed}


def tally(votes: Mapping[str, str], *, members: list[str], quorum: int, pass_ratio: Fraction,
          chair: str | None = None, chair_veto: bool = False) -> Tally:
    """The resolution once every member has voted or recused.

    Members who recuse are not eligible. Fewer eligible members than ``quorum`` means no quorum (the meeting must
    be convened again). Otherwise the motion passes when approvals (with or without conditions) reach
    ``pass_ratio`` of the eligible members, unless the chair holds a veto and voted to reject.
    """
    missing = [m for m in members if m not in votes]
    if missing:
        raise ValueError(f"{len(missing)} member(s) have not voted")
    recusals = sum(1 for m in members if votes[m] == VOTE_RECUSE)
    eligible = len(members) - recusals
    approvals = sum(1 for m in members if votes[m] in (VOTE_APPROVE, VOTE_APPROVE_WITH_CONDITIONS))
    rejections = sum(1 for m in members if votes[m] == VOTE_REJECT)
    counts = dict(eligible=eligible, approvals=approvals, rejections=rejections, recusals=recusals)
    if eligible < quorum or eligible == 0:
        return Tally(RESULT_NO_QUORUM, **counts)
    if chair_veto and chair is not None and votes.get(chair) == VOTE_REJECT:
        return Tally(RESULT_REJECTED, vetoed=True, **counts)
    if Fraction(approvals, eligible) >= pass_ratio:
        conditional = any(votes[m] == VOTE_APPROVE_WITH_CONDITIONS for m in members)
        return Tally(RESULT_APPROVED_WITH_CONDITIONS if conditional else RESULT_APPROVED, **counts)
    return Tally(RESULT_REJECTED, **counts)

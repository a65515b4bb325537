"""Assessment: information credibility per claim cluster and ACH matrices."""

from claimgraph.assess.ach import AchResult, Hypothesis, score_ach
from claimgraph.assess.credibility import Assessment, CredibilityOptions, assess_cluster

__all__ = ["AchResult", "Assessment", "CredibilityOptions", "Hypothesis", "assess_cluster", "score_ach"]

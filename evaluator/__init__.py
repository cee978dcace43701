"""Opportunity Evaluator: whether a network-marketing offer is a business or a pyramid.

Data flow: plan document -> validated :class:`~evaluator.model.Plan` -> economics and
simulation -> indicators -> rubric scoring -> :class:`~evaluator.evaluation.Evaluation`
-> renderers. Front doors (CLI, web, batch) only call that pipeline.
"""

__version__ = "0.1.0"
# 0.8.0: member_recruit_factor 0.01 (was 0.1), from the share of Herbalife's members who
# had sponsored anyone (issue 18 item 7); 0.7.0: the kinds' customer factors over their
# mean, so customers_per_participant is the average participant's (issue 18 item 7); 0.6.0:
# a rank's discount counts in buying to qualify (issue 18); 0.5.0: former customers
ENGINE_VERSION = "0.8.0"

DEFAULT_SEED = 20261123
"""Seed used when none is given: same plan + rubric + seed => byte-identical output."""

"""One module per role — planner, generator, reviewer, evaluator, responder, learner — each a
function from typed input to typed output; their schemas and prompt rendering.

May import: core, config, agent, memory, sandbox."""

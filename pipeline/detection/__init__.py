"""Threat detection before publication: what a change may not carry, found before anything of
it is merged, pushed or posted. Static checks always — out-of-tree symlinks, embedded
repositories, size caps, secrets, protected paths, suspicious additions (new workflow steps,
network fetches in build scripts, obfuscated code) — and, with `detection: model`, a model's
reading of the change with its own prompt and budget. The verdict fails closed: anything but a
clean verdict holds the work for a person (label `factory:needs-human`). Both flows use it: the
local flow before its merge, the Actions flow in its own job before the writer, and the build
and respond steps at commit time (the checks a model can act on).

May import: core, config, ledger, agent, roles, precommit."""

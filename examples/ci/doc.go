// Package ci is a test suite written the way a team using timd in its CI
// would write one: it starts the timd binary, reads its ready file, signs
// UserSigs with Tencent's own library and speaks only HTTP to timd — the
// REST API and the control plane (docs/ci-usage.md). It imports nothing of
// timd but the test database helper, so it doubles as a worked example to
// copy into a project.
package ci

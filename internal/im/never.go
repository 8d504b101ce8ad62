package im

// NeverAnswered are codes of Tencent's tables that timd has no condition
// for and never answers, each with the ledger section that says so: the
// REST layer's 60005 to 70052 and 80001 (docs/fidelity.md), the group quotas
// 10036 to 10038 (fidelity/groups.md, "Quotas") and the group message
// frequency limit 10023 (fidelity/group-messages.md). No other declaration
// of this package names one (TestCodes_NeverAnsweredUndefined), and no reply
// in the api package's tests carries one (its TestMain).
var NeverAnswered = []int{
	60005, 60008, 60011, 60013, 60014, 60015, 60016, 60017, 60018, 60019, 60020, 60021,
	70005, 70016, 70020, 70051, 70052, 80001,
	10023, 10036, 10037, 10038,
}

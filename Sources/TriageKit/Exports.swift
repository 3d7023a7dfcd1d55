// The model and the store are part of TriageKit's interface: a client that imports TriageKit
// sees `TestCase`, `RunSummary`, `TriageDatabase` and the rest without importing the targets
// they live in (which are not products of their own).
@_exported import TriageModel
@_exported import TriageStore

import TriageModel
import TriageStore
/// NUnit 2 `<test-results>` (and bare `<test-suite>`) files: read by `NUnitParser`, which
/// understands both dialects because a bare `<test-suite>` root can hold either.
typealias NUnit2Parser = NUnitParser

import TriageModel
import TriageStore
/// NUnit 3 `<test-run>` files: read by `NUnitParser`, which understands both dialects
/// because a bare `<test-suite>` root can hold either.
typealias NUnit3Parser = NUnitParser

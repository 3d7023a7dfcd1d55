import Foundation
import Testing

@testable import TriageKit
import TriageModel
import TriageStore

#if canImport(Glibc)
    import Glibc
#endif

/// Hostile result files, generated at run time: each is refused with a clear error or read
/// correctly, fast and in bounded memory. The 100 MB cases are in Tests/Scripts/hostile_inputs.sh.
@Suite struct HostileInputTests {
    // MARK: - Helpers

    private func write(_ bytes: [UInt8], name: String = "results.xml") throws -> URL {
        let url = try TestSupport.temporaryFolder().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    private func write(_ text: String, name: String = "results.xml") throws -> URL {
        try write(Array(text.utf8), name: name)
    }

    /// The error reading `url` gives, or nil when it reads.
    private func refusal(_ url: URL, format: ReportFormat? = nil) -> TriageError? {
        do {
            _ = try ReportReader.readAll(url, format: format)
            return nil
        } catch {
            return error as? TriageError
        }
    }

    /// This process's peak resident set size (VmHWM), in bytes.
    private func peakRSS() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// Checks that `url` is refused as bad input whose reason contains `words`, forced format or
    /// not. The time and memory bounds only catch a hang or an expansion (a bomb would take
    /// minutes and gigabytes); they are loose because other suites run in parallel in this
    /// process. The figures are measured by Tests/Scripts/hostile_inputs.sh.
    private func expectRefused(_ url: URL, _ words: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for format in [nil, ReportFormat.junit] {
            let peak = peakRSS()
            let clock = ContinuousClock()
            var error: TriageError?
            let elapsed = clock.measure { error = refusal(url, format: format) }
            #expect(
                error?.isBadInput == true, "not refused (format \(format?.rawValue ?? "detected"))",
                sourceLocation: sourceLocation)
            #expect(
                error?.description.contains(words) == true, "\(error?.description ?? "no error")",
                sourceLocation: sourceLocation)
            #expect(
                error?.description.hasPrefix(url.path) == true, "the error names the file",
                sourceLocation: sourceLocation)
            #expect(elapsed < .seconds(10), "took \(elapsed)", sourceLocation: sourceLocation)
            #expect(
                peakRSS() - peak < 128 << 20, "peak RSS grew by \(peakRSS() - peak) bytes", sourceLocation: sourceLocation
            )
        }
    }

    private let suite = #"<testsuite name="s"><testcase classname="c" name="t"/></testsuite>"#

    // MARK: - Entities and DTDs

    @Test func externalFileEntitiesAreNeverRead() throws {
        let secret = try write("TOP-SECRET-\(UUID())", name: "secret.txt")
        let url = try write(
            """
            <?xml version="1.0"?>
            <!DOCTYPE testsuite [<!ENTITY xxe SYSTEM "file://\(secret.path)">]>
            <testsuite name="s"><testcase classname="c" name="&xxe;"/></testsuite>
            """)
        expectRefused(url, "declares XML entities")
    }

    @Test func httpParameterAndOutOfBandEntitiesAreRefused() throws {
        let http = try write(#"<!DOCTYPE t [<!ENTITY e SYSTEM "http://127.0.0.1:9/e">]><testsuite name="&e;"/>"#)
        expectRefused(http, "declares XML entities")
        let parameter = try write(#"<!DOCTYPE t [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]><testsuite/>"#)
        expectRefused(parameter, "declares XML entities")
        let outOfBand = try write(
            """
            <!DOCTYPE t [<!ENTITY % file SYSTEM "file:///etc/hostname">
            <!ENTITY % dtd SYSTEM "http://127.0.0.1:9/oob.dtd"> %dtd; %send;]><testsuite/>
            """)
        expectRefused(outOfBand, "declares XML entities")
        let externalDTD = try write(#"<!DOCTYPE testsuite SYSTEM "http://127.0.0.1:9/t.dtd"><testsuite/>"#)
        expectRefused(externalDTD, "external DTD")
        let publicDTD = try write(#"<!DOCTYPE testsuite PUBLIC "-//x//y" "file:///etc/hostname"><testsuite/>"#)
        expectRefused(publicDTD, "external DTD")
    }

    @Test func billionLaughsAndQuadraticBlowUpAreRefusedAtOnce() throws {
        var laughs = #"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">"#
        for level in 1...10 {
            laughs += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }
        laughs += #"]><testsuite name="s"><testcase classname="c" name="&lol10;"/></testsuite>"#
        expectRefused(try write(laughs), "declares XML entities")

        let big = String(repeating: "x", count: 50_000)
        let quadratic =
            #"<!DOCTYPE t [<!ENTITY a ""# + big + #"">]><testsuite name="s"><testcase classname="c" name=""#
            + String(repeating: "&a;", count: 50_000) + #""/></testsuite>"#
        expectRefused(try write(quadratic), "declares XML entities")
    }

    @Test func declarationsHiddenByTheEncodingAreRefused() throws {
        // In UTF-7 `+AEU-` is "E": the parser would read `<!ENTITY` where a byte scan sees none.
        let utf7 = try write(
            #"""
            <?xml version="1.0" encoding="UTF-7"?>
            <!DOCTYPE testsuite [<!+AEU-NTITY a "aaaaaaaaaa"><!+AEU-NTITY b "&a;&a;&a;&a;&a;">]>
            <testsuite name="s"><testcase classname="c" name="&b;"/></testsuite>
            """#)
        expectRefused(utf7, "UTF-7 encoding")
        let declared = try write(#"<?xml version='1.0' encoding='ebcdic-cp-us'?>"# + suite)
        expectRefused(declared, "ebcdic-cp-us encoding")
        let utf32 = #"<!DOCTYPE t [<!ENTITY e SYSTEM "file:///etc/hostname">]><testsuite name="&e;"/>"#
            .unicodeScalars.flatMap { scalar in withUnsafeBytes(of: scalar.value.littleEndian, Array.init) }
        expectRefused(try write(utf32), "UTF-32 encoding")
        let ebcdic: [UInt8] = [0x4C, 0x6F, 0xA7, 0x94, 0x93, 0x40]  // "<?xml " in EBCDIC
        expectRefused(try write(ebcdic), "EBCDIC encoding")
    }

    @Test func internalSubsetsWithoutEntitiesAreRefusedButAPlainDoctypeReads() throws {
        let attlist = try write(
            #"<!DOCTYPE testsuite [<!ATTLIST testcase name CDATA "injected">]><testsuite name="s"><testcase classname="c"/></testsuite>"#
        )
        expectRefused(attlist, "internal subset")
        let plain = try write("<!DOCTYPE testsuite>\n" + suite)
        #expect(try ReportReader.readAll(plain).cases.map(\.name) == ["t"])
    }

    // MARK: - Structure

    @Test func aHundredThousandNestedElementsReadInBoundedTime() throws {
        let depth = 100_000
        let url = try write(
            #"<testsuite name="s"><testcase classname="c" name="deep"><system-out>"#
                + String(repeating: "<a>", count: depth) + "x" + String(repeating: "</a>", count: depth)
                + "</system-out></testcase></testsuite>")
        let clock = ContinuousClock()
        var cases: [TestCase] = []
        let elapsed = try clock.measure { cases = try ReportReader.readAll(url).cases }
        #expect(cases.map(\.name) == ["deep"])
        #expect(elapsed < .seconds(20))  // a hang detector, not a speed target

        let suites = try write(
            String(repeating: #"<testsuite name="s">"#, count: depth) + String(repeating: "</testsuite>", count: depth))
        #expect(try ReportReader.readAll(suites).cases.isEmpty)
    }

    @Test func aLongAttributeIsCappedLikeAnyStoredText() throws {
        let message = String(repeating: "m", count: 1 << 20)
        let url = try write(
            #"<testsuite name="s"><testcase classname="c" name="t"><failure message=""# + message
                + #""/></testcase></testsuite>"#)
        let stored = try #require(try ReportReader.readAll(url).cases.first?.attempts.first?.message)
        #expect(stored.utf8.count < CappedText.defaultLimit + 100)
        #expect(stored.hasSuffix("…[truncated: \((1 << 20) - CappedText.defaultLimit) more bytes]"))
    }

    // MARK: - Encodings and characters

    @Test(arguments: [
        (String.Encoding.utf16LittleEndian, "UTF-16LE, no BOM"), (.utf16BigEndian, "UTF-16BE, no BOM"),
        (.utf16, "UTF-16 with BOM"),
    ])
    func utf16ReadsWithAndWithoutABOM(encoding: String.Encoding, label: String) throws {
        let text =
            #"<?xml version="1.0" encoding="UTF-16"?><testsuite name="s"><testcase classname="c" name="é ✓ 𝄞"/></testsuite>"#
        let url = try write(Array(try #require(text.data(using: encoding))))
        #expect(try ReportReader.readAll(url).cases.map(\.name) == ["é ✓ 𝄞"], "\(label)")
    }

    @Test func invalidUTF8NulAndControlCharactersGetAClearError() throws {
        let cases: [(String, [UInt8])] = [
            (
                "invalid UTF-8",
                Array(#"<testsuite name="s"><testcase classname="c" name=""#.utf8) + [0xFF, 0xFE, 0xC3]
                    + Array(#""/></testsuite>"#.utf8)
            ),
            (
                "a NUL byte",
                Array(#"<testsuite name="s"><testcase classname="c" name="a"#.utf8) + [0]
                    + Array(#""/></testsuite>"#.utf8)
            ),
            (
                "a raw ESC",
                Array(#"<testsuite name="s"><testcase classname="c" name="a"#.utf8) + [0x1B]
                    + Array(#"[31m"/></testsuite>"#.utf8)
            ),
            (
                "an ESC reference",
                Array(#"<testsuite name="s"><testcase classname="c" name="a&#27;[31m"/></testsuite>"#.utf8)
            ),
            ("a NUL reference", Array(#"<testsuite name="s"><testcase classname="c" name="a&#0;"/></testsuite>"#.utf8)),
        ]
        for (label, bytes) in cases {
            let error = refusal(try write(bytes))
            #expect(error?.isBadInput == true, "\(label)")
            // libxml2 names a raw control character inside an attribute by the broken tag it
            // leaves behind, not by the character: only the line is sure there.
            let words =
                switch label {
                case "a raw ESC": "line 1: malformed XML"
                case "invalid UTF-8": "line 1: bytes that are not UTF-8"
                case "a NUL byte": "line 1: the XML parser stopped: a NUL byte"
                default: "line 1: an invalid character"
                }
            #expect(error?.description.contains(words) == true, "\(label): \(error?.description ?? "read")")
        }
    }

    /// Found by the fuzzer: libxml2 falls back to Latin-1 on bytes that are not UTF-8 and
    /// passes them on in an element name, where Foundation's XMLParser traps.
    @Test func anElementNameThatIsNotUTF8IsRefusedNotACrash() throws {
        let inner = try write(
            Array(#"<testsuite name="s"><testcase classname="c" name="t"/>"#.utf8) + Array("\n\n<".utf8) + [0xFF, 0xFE]
                + Array("/></testsuite>".utf8))
        #expect(refusal(inner)?.description.contains("line 3: bytes that are not UTF-8") == true)
        let root = try write([0x0A, 0x3C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])  // the fuzzer's input
        for format in ReportFormat.allCases {
            #expect(refusal(root, format: format)?.description.contains("line 2: bytes that are not UTF-8") == true)
        }
        // A sequence cut at a 1 MiB read boundary is not an error; a bad byte after it is.
        let padded = Array(#"<testsuite name="s"><system-out>"#.utf8)
        let body =
            padded + Array(repeating: UInt8(ascii: "x"), count: (1 << 20) - padded.count - 1)
            + Array("é</system-out></testsuite>".utf8)
        #expect(refusal(try write(body)) == nil)
        #expect(refusal(try write(body + [0xC3]))?.description.contains("not UTF-8") == true)
    }

    /// Found by the fuzzer: Foundation's XMLParser calls strlen on the NULL data of `<?x?>`.
    @Test func aProcessingInstructionWithoutDataIsRefusedNotACrash() throws {
        for text in ["<?xm?>\n<testsuite/>", "<?xml?><testsuite/>", "<testsuite name=\"s\">\n<?x  ?></testsuite>"] {
            for format in [nil, ReportFormat.junit] {
                let error = refusal(try write(text), format: format)
                #expect(
                    error?.description.contains("a processing instruction without data") == true,
                    "\(text): \(error?.description ?? "read")")
            }
        }
        let utf16 = try #require("<testsuite name=\"s\">\n\n<?x?></testsuite>".data(using: .utf16LittleEndian))
        #expect(
            refusal(try write(Array(utf16)))?.description.contains("line 3: a processing instruction without data")
                == true)
        // Instructions with data read as before.
        let fine = try write(
            #"<?xml version="1.0"?><?xml-stylesheet href="a.xsl"?><testsuite name="s"><?pi data?><testcase classname="c" name="t"/></testsuite>"#
        )
        #expect(try ReportReader.readAll(fine).cases.map(\.name) == ["t"])
    }

    // MARK: - Not a regular file

    @Test func directoriesFIFOsAndMissingFilesAreRefusedWithoutOpeningThem() throws {
        let folder = try TestSupport.temporaryFolder()
        #expect(refusal(folder)?.description.contains("is a directory") == true)

        let fifo = folder.appendingPathComponent("fifo.xml")
        try #require(mkfifo(fifo.path, 0o600) == 0)
        // Opening a FIFO without a writer would block forever; the check must come first.
        #expect(refusal(fifo)?.description.contains("is not a regular file") == true)

        let dangling = folder.appendingPathComponent("dangling.xml")
        try FileManager.default.createSymbolicLink(
            atPath: dangling.path, withDestinationPath: folder.appendingPathComponent("gone.xml").path)
        #expect(refusal(dangling)?.description.contains("no such file, or it cannot be read") == true)

        // A link to a result file reads like the file.
        let target = try write(suite)
        let link = folder.appendingPathComponent("link.xml")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: target.path)
        #expect(try ReportReader.readAll(link).cases.map(\.name) == ["t"])
    }

    @Test func anUnreadableFileIsRefused() throws {
        let url = try write(suite)
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: url.path)
        if geteuid() == 0 {
            // root reads any file whatever its mode; the check cannot be shown here.
            print(
                "HostileInputTests.anUnreadableFileIsRefused: running as root, where mode 000 does not stop reads; checked that the file still reads instead"
            )
            #expect(refusal(url) == nil)
            return
        }
        #expect(refusal(url)?.description.contains("cannot be read: permission denied") == true)
    }

    @Test func anElementWithTensOfThousandsOfAttributesIsRefusedQuickly() throws {
        let many = (0..<25_000).map { "a\($0)='1'" }.joined(separator: " ")
        let url = try TestSupport.write(
            "<testsuite name=\"s\"><testcase classname=\"c\" name=\"t\" \(many)/></testsuite>")
        let started = Date()
        let error = try #require(throws: TriageError.self) { try ReportReader.readAll(url) }
        #expect(error.description.contains("more than 20000 attributes"))
        #expect(Date().timeIntervalSince(started) < 20)  // a hang detector, not a speed target
        // Hundreds are fine, and so are '=' inside values, comments and text.
        let some = (0..<500).map { "a\($0)='x=1=2'" }.joined(separator: " ")
        let fine = try TestSupport.write(
            "<testsuite name=\"s\"><!-- a=b --><testcase classname=\"c\" name=\"t\" \(some)><system-out>k=v</system-out></testcase></testsuite>"
        )
        #expect(try ReportReader.readAll(fine).cases.count == 1)
    }
}

import Foundation

/// Writes what a command was asked to write to a file (`--output`, `--json`, `--summary`,
/// `$GITHUB_STEP_SUMMARY`): a regular file is replaced atomically (a reader never sees half of
/// it), a symbolic link is written through to its target (the link stays), a device or FIFO
/// is written plainly (never replaced), and the database and its companion files are refused.
public enum OutputFile {
    /// The files SQLite and triage keep beside a database at `path`.
    package static func companions(of database: String) -> [String] {
        [database, database + "-wal", database + "-shm", database + "-journal", database + ".lock"]
    }

    /// Refuses `path` when it is, or leads to, the database or one of its companion files, a
    /// folder or a socket: call before anything is written, so a refused output changes nothing.
    public static func check(_ path: String, database: String?) throws {
        let target = try resolve(path)
        if let database, database != ":memory:" {
            let targetStatus = status(target)
            for companion in companions(of: database) {
                let other = try resolve(companion)
                // The same name, or the same file under another name (a hard link).
                var sameFile = canonical(target) == canonical(other)
                if let targetStatus, let otherStatus = status(other) {
                    sameFile = sameFile || (targetStatus.st_dev == otherStatus.st_dev && targetStatus.st_ino == otherStatus.st_ino)
                }
                if sameFile {
                    throw TriageError.unwritableOutput(
                        path: path, reason: "is the history database \(database) or one of its files; write the output to another file")
                }
            }
        }
        switch status(target).map({ $0.st_mode & S_IFMT }) {
        case S_IFDIR: throw TriageError.unwritableOutput(path: path, reason: "is a folder; name a file")
        case S_IFSOCK: throw TriageError.unwritableOutput(path: path, reason: "is a socket; name a file")
        default: break
        }
    }

    /// Writes `text` to `path` (see the type's summary), creating its folder when needed.
    public static func write(_ text: String, to path: String, database: String?) throws {
        try check(path, database: database)
        let target = try resolve(path)
        do {
            if let kind = status(target).map({ $0.st_mode & S_IFMT }), kind != S_IFREG {
                try writePlainly(Data(text.utf8), to: target, flags: O_WRONLY)
            } else {
                let url = URL(fileURLWithPath: target)
                try FileManager.default.createDirectory(
                    at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(text.utf8).write(to: url, options: .atomic)
            }
        } catch let error as TriageError {
            throw error
        } catch {
            throw TriageError.unwritableOutput(path: path, reason: "cannot be written: " + describe(error))
        }
    }

    /// Appends `text` to `path`, creating the file when needed (`$GITHUB_STEP_SUMMARY`).
    public static func append(_ text: String, to path: String, database: String?) throws {
        try check(path, database: database)
        try writePlainly(Data(text.utf8), to: path, flags: O_WRONLY | O_APPEND | O_CREAT, shownAs: path)
    }

    // MARK: - Paths

    /// `path` with every symbolic link at its end followed (a dangling link gives the file it
    /// would create); relative paths are taken from the current folder.
    package static func resolve(_ path: String) throws -> String {
        var current = absolute(path)
        for _ in 0..<40 {
            guard let destination = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else {
                return current
            }
            current =
                destination.hasPrefix("/")
                ? destination : (current as NSString).deletingLastPathComponent + "/" + destination
        }
        throw TriageError.unwritableOutput(path: path, reason: "is a loop of symbolic links")
    }

    private static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }

    /// The real folder (links resolved) plus the name: two spellings of one path compare equal.
    private static func canonical(_ path: String) -> String {
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard let real = realpath(folder, nil) else { return (path as NSString).standardizingPath }
        defer { free(real) }
        return String(cString: real) + "/" + name
    }

    private static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    // MARK: - Writing

    private static func writePlainly(_ data: Data, to path: String, flags: Int32, shownAs shown: String? = nil) throws {
        let descriptor = open(path, flags | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw TriageError.unwritableOutput(path: shown ?? path, reason: "cannot be written: " + String(cString: strerror(errno)))
        }
        var failure: Int32 = 0
        data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if close(descriptor) != 0, failure == 0 { failure = errno }
        if failure != 0 {
            throw TriageError.unwritableOutput(path: shown ?? path, reason: "cannot be written: " + String(cString: strerror(failure)))
        }
    }

    private static func describe(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
            let code = Int32(exactly: underlying.code)
        {
            return String(cString: strerror(code))
        }
        if nsError.domain == NSPOSIXErrorDomain, let code = Int32(exactly: nsError.code) {
            return String(cString: strerror(code))
        }
        return error.localizedDescription
    }
}

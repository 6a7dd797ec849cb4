import FoundationEssentials
import Glibc

/// Test data copied from third-party suites into Tests/Fixtures (each folder has its README and
/// licence). Located from this file's path so tests need no bundle and run from any clone.
public enum Fixtures {
    public static let root: String = {
        var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)  // Sources/TestSupport/Fixtures.swift
        return parts.joined(separator: "/") + "/Tests/Fixtures"
    }()

    public static func path(_ relative: String) -> String { root + "/" + relative }

    public static func bytes(_ relative: String) throws -> [UInt8] {
        let fullPath = path(relative)
        guard let data = FileManager.default.contents(atPath: fullPath) else {
            throw FixtureError(description: "fixture \(fullPath) is missing")
        }
        return [UInt8](data)
    }

    public static func text(_ relative: String) throws -> String {
        String(decoding: try bytes(relative), as: UTF8.self)
    }

    public static func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path(relative)) }

    /// The names of the entries in a fixture folder, sorted.
    public static func list(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(relative))) ?? []).sorted()
    }

    public static func isDirectory(_ relative: String) -> Bool {
        var isDir = false
        return FileManager.default.fileExists(atPath: path(relative), isDirectory: &isDir) && isDir
    }

    public struct FixtureError: Error, CustomStringConvertible { public let description: String }
}

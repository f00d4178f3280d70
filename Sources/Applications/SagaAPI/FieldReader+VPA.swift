import AccountService
import Avro

extension FieldReader {
    /// A VPA member (`name@bank`, read in canonical lower case).
    public mutating func vpa(_ object: JSONValue, _ key: String, at path: String) -> VPA? {
        guard let text = string(object, key, at: path) else { return nil }
        guard let vpa = VPA(text) else {
            fail(Self.path(path, key),
                "must be a VPA like name@bank (name 2-64 of a-z 0-9 . - _, bank 2-32 letters or digits), not \"\(text)\"")
            return nil
        }
        return vpa
    }
}

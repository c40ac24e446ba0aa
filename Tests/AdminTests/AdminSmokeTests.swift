import Testing
@testable import Admin

@Suite struct AdminModuleTests {
    @Test func moduleLinks() { _ = Admin.self }
}

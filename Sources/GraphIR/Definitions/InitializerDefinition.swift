import Diagnostics
import SpecLanguage

/// What the front end asks of an initializer (a layer's `init` or `bias_init`): its keys, whether
/// it needs fans (which a bias does not have), checks of its options, and its `nn.init` call.
public protocol InitializerDefinition: Sendable {
    var kind: KindSpec { get }
    /// Whether it scales by fan-in or fan-out (kaiming, xavier), which PyTorch refuses for a bias.
    var usesFans: Bool { get }
    /// Checks between options that their types and ranges cannot express.
    func check(_ initializer: SpecComponent, _ sink: inout DiagnosticSink)
    /// The `nn.init` call on `tensor` (a Python expression): `nn.init.zeros_(model.fc[0].bias)`.
    func torchCall(_ options: SpecOptions, tensor: String) -> String
}

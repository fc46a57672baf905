import SpecLanguage

/// Height and width of a window parameter (`kernel_size`, `stride`, `padding`, `dilation`).
public struct HeightWidth: Hashable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// `3` when square, `(3, 5)` otherwise.
    public var description: String { height == width ? "\(height)" : "(\(height), \(width))" }
}

/// A layer with every parameter resolved: defaults applied and input sizes inferred. After
/// `Graph.bind`, every `SymbolicSize` in it is a constant.
public enum ResolvedLayer: Hashable, Sendable {
    case linear(Linear)
    case conv2d(Conv2d)
    case maxPool2d(Pool2d)
    case avgPool2d(Pool2d)
    /// Axes counted as in PyTorch (0 is the batch), normalised to be non-negative.
    case flatten(startDim: Int, endDim: Int)
    case relu
    case leakyReLU(negativeSlope: Double)
    case elu(alpha: Double)
    case sigmoid
    case tanh
    /// `dim` counted as in PyTorch (0 is the batch), normalised to be non-negative.
    case softmax(dim: Int)
    case logSoftmax(dim: Int)
    case batchNorm(BatchNorm)
    case dropout(p: Double)
    case identity

    /// `nn.Linear(in_features, out_features, bias)`.
    public struct Linear: Hashable, Sendable {
        public var inFeatures: SymbolicSize
        public var outFeatures: SymbolicSize
        public var bias: Bool

        public init(inFeatures: SymbolicSize, outFeatures: SymbolicSize, bias: Bool) {
            self.inFeatures = inFeatures
            self.outFeatures = outFeatures
            self.bias = bias
        }
    }

    /// `nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, bias)`.
    public struct Conv2d: Hashable, Sendable {
        public var inChannels: SymbolicSize
        public var outChannels: SymbolicSize
        public var kernel: HeightWidth
        public var stride: HeightWidth
        public var padding: HeightWidth
        public var dilation: HeightWidth
        public var bias: Bool

        public init(inChannels: SymbolicSize, outChannels: SymbolicSize, kernel: HeightWidth, stride: HeightWidth, padding: HeightWidth, dilation: HeightWidth, bias: Bool) {
            self.inChannels = inChannels
            self.outChannels = outChannels
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
            self.dilation = dilation
            self.bias = bias
        }
    }

    /// `nn.MaxPool2d` / `nn.AvgPool2d` with PyTorch's defaults for what specs cannot set (no
    /// dilation, floor rounding, padding counted in averages); `stride` defaults to the kernel.
    public struct Pool2d: Hashable, Sendable {
        public var kernel: HeightWidth
        public var stride: HeightWidth
        public var padding: HeightWidth

        public init(kernel: HeightWidth, stride: HeightWidth, padding: HeightWidth) {
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
        }
    }

    /// `nn.BatchNorm1d` on (features) or (channels, length), `nn.BatchNorm2d` on (channels, height, width).
    public struct BatchNorm: Hashable, Sendable {
        public var numFeatures: SymbolicSize
        /// True for BatchNorm2d.
        public var spatial: Bool
        public var eps: Double
        public var momentum: Double
        public var affine: Bool

        public init(numFeatures: SymbolicSize, spatial: Bool, eps: Double, momentum: Double, affine: Bool) {
            self.numFeatures = numFeatures
            self.spatial = spatial
            self.eps = eps
            self.momentum = momentum
            self.affine = affine
        }
    }

    /// The registry name, as written in specs.
    public var kindName: String {
        switch self {
        case .linear: "linear"
        case .conv2d: "conv2d"
        case .maxPool2d: "maxpool2d"
        case .avgPool2d: "avgpool2d"
        case .flatten: "flatten"
        case .relu: "relu"
        case .leakyReLU: "leaky_relu"
        case .elu: "elu"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .softmax: "softmax"
        case .logSoftmax: "log_softmax"
        case .batchNorm: "batchnorm"
        case .dropout: "dropout"
        case .identity: "identity"
        }
    }

    /// Whether the layer has a weight (and so uses `init`, `bias_init`).
    public var hasWeight: Bool {
        switch self {
        case .linear, .conv2d: true
        default: false
        }
    }

    /// Whether the output has the input's shape (activations, normalisation, dropout).
    public var preservesShape: Bool {
        switch self {
        case .linear, .conv2d, .maxPool2d, .avgPool2d, .flatten: false
        default: true
        }
    }

    /// A short description for summaries and graph drawings: `linear(16384 -> 128)`,
    /// `conv2d(1 -> 16, kernel 3, padding 1)`.
    public var signature: String {
        func window(_ p: Pool2d, _ defaultStride: Bool) -> [String] {
            var parts = ["kernel \(p.kernel)"]
            if !defaultStride { parts.append("stride \(p.stride)") }
            if p.padding != HeightWidth(0, 0) { parts.append("padding \(p.padding)") }
            return parts
        }
        switch self {
        case .linear(let l):
            return "linear(\(l.inFeatures) -> \(l.outFeatures)\(l.bias ? "" : ", no bias"))"
        case .conv2d(let c):
            var parts = ["\(c.inChannels) -> \(c.outChannels)", "kernel \(c.kernel)"]
            if c.stride != HeightWidth(1, 1) { parts.append("stride \(c.stride)") }
            if c.padding != HeightWidth(0, 0) { parts.append("padding \(c.padding)") }
            if c.dilation != HeightWidth(1, 1) { parts.append("dilation \(c.dilation)") }
            if !c.bias { parts.append("no bias") }
            return "conv2d(" + parts.joined(separator: ", ") + ")"
        case .maxPool2d(let p): return "maxpool2d(" + window(p, p.stride == p.kernel).joined(separator: ", ") + ")"
        case .avgPool2d(let p): return "avgpool2d(" + window(p, p.stride == p.kernel).joined(separator: ", ") + ")"
        case .flatten(let s, let e): return s == 1 ? "flatten" : "flatten(start_dim \(s), end_dim \(e))"
        case .leakyReLU(let s): return "leaky_relu(\(number(s)))"
        case .elu(let a): return a == 1 ? "elu" : "elu(\(number(a)))"
        case .softmax(let d): return "softmax(dim \(d))"
        case .logSoftmax(let d): return "log_softmax(dim \(d))"
        case .batchNorm(let b): return "batchnorm\(b.spatial ? "2d" : "1d")(\(b.numFeatures))"
        case .dropout(let p): return "dropout(\(number(p)))"
        default: return kindName
        }
    }

    /// The layer with class counts replaced by their values.
    func substituting(_ values: [String: Int]) -> ResolvedLayer {
        switch self {
        case .linear(var l):
            l.inFeatures = l.inFeatures.substituting(values)
            l.outFeatures = l.outFeatures.substituting(values)
            return .linear(l)
        case .conv2d(var c):
            c.inChannels = c.inChannels.substituting(values)
            c.outChannels = c.outChannels.substituting(values)
            return .conv2d(c)
        case .batchNorm(var b):
            b.numFeatures = b.numFeatures.substituting(values)
            return .batchNorm(b)
        default:
            return self
        }
    }
}

func number(_ d: Double) -> String {
    d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
}

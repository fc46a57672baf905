import ArgumentParser
import Runner

struct ExportONNX: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-onnx",
        abstract: "Write a spec's model with trained weights as an ONNX model (opset 17).",
        discussion: """
            Inputs and outputs are named as in the spec; the first axis of each is the batch, of \
            any size. The model computes what specrun's model computes in evaluation mode \
            (batchnorm with its running statistics, dropout off). Its outputs are the output \
            nodes' values as the spec computes them: logits where a node ends in a linear layer \
            (a loss's softmax or sigmoid is not added). Its inputs are the tensors specrun's model \
            takes AFTER the data pipeline: images decoded, resized and normalised, feature \
            columns normalised, with the statistics fitted in training. Those statistics and the \
            class names are in the model's metadata as specrun.data; apply them before calling \
            it. Class counts come from the weights' metadata, or the settings.json beside them.
            """)

    @Argument(help: "The spec the weights were trained from.")
    var spec: String

    @Option(help: "weights.safetensors written by specrun train.")
    var weights: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write the model.", valueName: "file.onnx"))
    var output: String

    func run() throws {
        do {
            print(try ONNXExportSession.export(specPath: spec, weightsPath: weights, to: output))
        } catch {
            throw report(error)
        }
    }
}

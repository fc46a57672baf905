/// Sums values element by element over the processes of a data-parallel job, in place: each
/// process holds some rows of every batch, and an op that needs a statistic of the whole batch
/// (batch normalisation's per-channel sums) adds up the processes' shares with it. Every process
/// calls it at the same point of its forward or backward pass with the same count.
///
/// The engine knows nothing of how the sum travels; the runner implements this over MPI.
public protocol ReplicaSum: AnyObject {
    func sum(_ values: UnsafeMutableBufferPointer<Double>)
}

"""Prints every scalar that TensorBoard's own reader finds in each event folder given, as one JSON
object: {"folder": {"tag": [[step, float32 bits], ...], ...}, ...}, each tag's points in the order
the reader holds them.

Used by specrun's tests (RunnerTests/TensorBoardLogTests) to check that TensorBoard reads back
every scalar of a run exactly, including after --resume. Values are given as the bits of the
float32 TensorBoard holds, so NaN and every last bit compare exactly.

    python read_scalars.py runs/water_bn/20261126-201500/tensorboard [more folders]
"""
import json
import struct
import sys

from tensorboard.backend.event_processing.event_accumulator import SCALARS, EventAccumulator


def scalars_in(folder):
    # size_guidance 0 keeps every point (the default samples scalars down to 10,000 per tag), and
    # purge_orphaned_data (the default) applies SessionLog.START as TensorBoard's server does.
    accumulator = EventAccumulator(folder, size_guidance={SCALARS: 0})
    accumulator.Reload()
    scalars = {}
    for tag in accumulator.Tags()["scalars"]:
        points = accumulator.Scalars(tag)
        scalars[tag] = [[p.step, struct.unpack("<I", struct.pack("<f", p.value))[0]] for p in points]
    return scalars


if __name__ == "__main__":
    print(json.dumps({folder: scalars_in(folder) for folder in sys.argv[1:]}, sort_keys=True))

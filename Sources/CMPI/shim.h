#include <mpi.h>

/*
 * MPI's predefined handles are macros Swift cannot import: Open MPI's are addresses of globals
 * (`MPI_COMM_WORLD` is `((MPI_Comm)&ompi_mpi_comm_world)`), MPICH's are casts of integer constants.
 * These functions name them, the same way for either library.
 */
static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op cmpi_sum(void) { return MPI_SUM; }
static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline int cmpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }

/* This process's rank among the job's processes on its machine (those sharing its memory), and
   their count. */
static inline void cmpi_local_rank_and_size(int *rank, int *size) {
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &local);
    MPI_Comm_rank(local, rank);
    MPI_Comm_size(local, size);
    MPI_Comm_free(&local);
}

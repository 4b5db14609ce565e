#ifndef PARADIFFUSE_CMPI_SHIM_H
#define PARADIFFUSE_CMPI_SHIM_H
#include <mpi.h>

/// Open MPI's handles are cast macros (`((MPI_Comm)((void *)&(ompi_mpi_comm_world)))`) Swift cannot import.
static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype cmpi_int(void) { return MPI_INT; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
#endif

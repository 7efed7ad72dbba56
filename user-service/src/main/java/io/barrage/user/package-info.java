/** user-service: accounts, password hashes and sessions. Features live in the sub-packages. */
package io.barrage.user;

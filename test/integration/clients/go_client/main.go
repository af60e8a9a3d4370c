package main

import (
	"database/sql"
	"fmt"
	"os"

	_ "github.com/go-sql-driver/mysql"
)

func main() {
	db, err := sql.Open("mysql", "root@tcp(127.0.0.1:"+os.Args[1]+")/")
	if err != nil { panic(err) }
	if err := db.Ping(); err != nil { panic(err) }
	var x int64
	if err := db.QueryRow("SELECT ? + 1", 41).Scan(&x); err != nil { panic(err) }
	fmt.Println("x", x)
	var s string
	var f float64
	if err := db.QueryRow("SELECT concat(?, 'b'), ? * 2", "a", 1.25).Scan(&s, &f); err != nil { panic(err) }
	fmt.Println(s, f)
	if _, err := db.Exec("CREATE DATABASE IF NOT EXISTS db_go"); err != nil { panic(err) }
	rows, err := db.Query("SHOW DATABASES")
	if err != nil { panic(err) }
	for rows.Next() { var n string; rows.Scan(&n); fmt.Println(n) }
}
